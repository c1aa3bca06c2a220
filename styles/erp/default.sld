<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.1.0"
  xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se"
  xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">
 <NamedLayer>
  <se:Name>erp</se:Name>
  <UserStyle>
   <se:Name>default</se:Name>
   <se:Description>
    <se:Title>Établissements recevant du public</se:Title>
    <se:Abstract>Un cercle par établissement, plus grand pour les catégories 1 à 3.</se:Abstract>
   </se:Description>
   <se:FeatureTypeStyle>
    <se:Rule>
     <se:Name>grands</se:Name>
     <se:Description><se:Title>Catégories 1 à 3 (plus de 300 personnes)</se:Title></se:Description>
     <ogc:Filter><ogc:PropertyIsLessThanOrEqualTo><ogc:PropertyName>categorie_erp</ogc:PropertyName><ogc:Literal>3</ogc:Literal></ogc:PropertyIsLessThanOrEqualTo></ogc:Filter>
     <se:PointSymbolizer>
      <se:Graphic>
       <se:Mark>
        <se:WellKnownName>circle</se:WellKnownName>
        <se:Fill><se:SvgParameter name="fill">#c81e1e</se:SvgParameter></se:Fill>
        <se:Stroke><se:SvgParameter name="stroke">#ffffff</se:SvgParameter><se:SvgParameter name="stroke-width">1.5</se:SvgParameter></se:Stroke>
       </se:Mark>
       <se:Size>12</se:Size>
      </se:Graphic>
     </se:PointSymbolizer>
    </se:Rule>
    <se:Rule>
     <se:Name>petits</se:Name>
     <se:Description><se:Title>Catégories 4 et 5</se:Title></se:Description>
     <se:ElseFilter/>
     <se:PointSymbolizer>
      <se:Graphic>
       <se:Mark>
        <se:WellKnownName>circle</se:WellKnownName>
        <se:Fill><se:SvgParameter name="fill">#c81e1e</se:SvgParameter></se:Fill>
        <se:Stroke><se:SvgParameter name="stroke">#ffffff</se:SvgParameter><se:SvgParameter name="stroke-width">1</se:SvgParameter></se:Stroke>
       </se:Mark>
       <se:Size>8</se:Size>
      </se:Graphic>
     </se:PointSymbolizer>
    </se:Rule>
   </se:FeatureTypeStyle>
  </UserStyle>
 </NamedLayer>
</StyledLayerDescriptor>
