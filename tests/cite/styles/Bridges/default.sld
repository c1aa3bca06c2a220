<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se"
  xmlns:ogc="http://www.opengis.net/ogc" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">
 <NamedLayer>
  <se:Name>Bridges</se:Name>
  <UserStyle>
   <se:Name>default</se:Name>
   <se:Description><se:Title>Bridges</se:Title></se:Description>
   <se:FeatureTypeStyle>
    <se:Rule>
     <se:Name>Bridges</se:Name>
     <se:Description><se:Title>Bridges</se:Title></se:Description>
     <se:PointSymbolizer>
      <se:Graphic>
       <se:Mark><se:WellKnownName>square</se:WellKnownName><se:Fill><se:SvgParameter name="fill">#c03030</se:SvgParameter></se:Fill></se:Mark>
       <se:Size>10</se:Size>
      </se:Graphic>
     </se:PointSymbolizer>
    </se:Rule>
   </se:FeatureTypeStyle>
  </UserStyle>
 </NamedLayer>
</StyledLayerDescriptor>
