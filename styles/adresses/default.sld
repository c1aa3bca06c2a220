<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.1.0"
  xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se"
  xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">
 <NamedLayer>
  <se:Name>adresses</se:Name>
  <UserStyle>
   <se:Name>default</se:Name>
   <se:Description>
    <se:Title>Points adresse</se:Title>
    <se:Abstract>Un petit point par adresse de la BAN.</se:Abstract>
   </se:Description>
   <se:FeatureTypeStyle>
    <se:Rule>
     <se:Name>adresse</se:Name>
     <se:Description><se:Title>Adresse</se:Title></se:Description>
     <se:PointSymbolizer>
      <se:Graphic>
       <se:Mark>
        <se:WellKnownName>circle</se:WellKnownName>
        <se:Fill><se:SvgParameter name="fill">#1f3a93</se:SvgParameter></se:Fill>
        <se:Stroke><se:SvgParameter name="stroke">#ffffff</se:SvgParameter><se:SvgParameter name="stroke-width">0.8</se:SvgParameter></se:Stroke>
       </se:Mark>
       <se:Size>5</se:Size>
      </se:Graphic>
     </se:PointSymbolizer>
    </se:Rule>
   </se:FeatureTypeStyle>
  </UserStyle>
 </NamedLayer>
</StyledLayerDescriptor>
